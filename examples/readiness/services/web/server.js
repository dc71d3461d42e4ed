'use strict';
// Answers 200 on every path; logs one JSON line once it listens.
const http = require('node:http');
http
  .createServer((request, response) => response.end('hello\n'))
  .listen(8080, () => console.log(JSON.stringify({ msg: 'listening', port: 8080 })));
