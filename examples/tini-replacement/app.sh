#!/bin/sh
# The image's one program: dinit runs it as `app.sh/run`, reading dinit's stdin (`docker run -i`).
echo '{"msg":"hello from the CMD"}'
echo "arguments: $*" >&2
exec sleep infinity
