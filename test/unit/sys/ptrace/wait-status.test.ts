import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWaitStatus, siginfoIsExit, siginfoPid } from '../../../../src/sys/ptrace/wait-status';
import { parseFdinfoFlags, parseMaps, parseStat } from '../../../../src/sys/ptrace/proc-fs';

describe('wait status decoding', () => {
  it('recognises exits and kills', () => {
    assert.deepEqual(decodeWaitStatus(3 << 8), { kind: 'exited', code: 3 });
    assert.deepEqual(decodeWaitStatus(9), { kind: 'killed', signal: 9 });
    assert.deepEqual(decodeWaitStatus(0x80 | 11), { kind: 'killed', signal: 11 }); // core dumped
  });

  it('recognises ptrace stops', () => {
    const stop = (sig: number, event = 0) => (event << 16) | (sig << 8) | 0x7f;
    assert.deepEqual(decodeWaitStatus(stop(5, 128)), { kind: 'event-stop', signal: 5 });
    assert.deepEqual(decodeWaitStatus(stop(19, 128)), { kind: 'event-stop', signal: 19 });
    assert.deepEqual(decodeWaitStatus(stop(5, 4)), { kind: 'exec' });
    assert.deepEqual(decodeWaitStatus(stop(0x85)), { kind: 'syscall' });
    assert.deepEqual(decodeWaitStatus(stop(10)), { kind: 'signal', signal: 10 });
    assert.deepEqual(decodeWaitStatus(stop(5)), { kind: 'signal', signal: 5 });
    assert.deepEqual(decodeWaitStatus(stop(5, 1)), { kind: 'other-event', event: 1, signal: 5 });
  });

  it('reads waitid siginfo', () => {
    const info = Buffer.alloc(128);
    info.writeInt32LE(17, 0);
    info.writeInt32LE(1, 8); // CLD_EXITED
    info.writeInt32LE(1234, 16);
    assert.equal(siginfoIsExit(info), true);
    assert.equal(siginfoPid(info), 1234);
    info.writeInt32LE(4, 8); // CLD_TRAPPED
    assert.equal(siginfoIsExit(info), false);
  });
});

describe('/proc parsers', () => {
  it('parses stat even when comm contains parens and spaces', () => {
    assert.deepEqual(parseStat('42 (a) b (c)) S 7 42 42 0 -1 4194560 0'), { state: 'S', ppid: 7, exiting: false });
    assert.deepEqual(parseStat('1 (init) R 0 1 1 0 -1 4194564 0'), { state: 'R', ppid: 0, exiting: true });
  });

  it('parses fdinfo flags as octal', () => {
    assert.equal(parseFdinfoFlags('pos:\t0\nflags:\t02000001\nmnt_id:\t15\n'), 0o2000001);
    assert.equal(parseFdinfoFlags('pos:\t0\n'), undefined);
  });

  it('parses maps lines', () => {
    const maps = parseMaps(
      '55d0c0a00000-55d0c0a21000 r-xp 00000000 08:01 123 /usr/bin/bash\n' +
        '7ffd1c9f0000-7ffd1c9f2000 r-xp 00000000 00:00 0                          [vdso]\n' +
        '7ffd1c8d0000-7ffd1c8f1000 rw-p 00000000 00:00 0 \n',
    );
    assert.equal(maps.length, 3);
    assert.deepEqual(maps[1], { start: 0x7ffd1c9f0000n, end: 0x7ffd1c9f2000n, perms: 'r-xp', path: '[vdso]' });
    assert.equal(maps[2]?.path, '');
  });
});
