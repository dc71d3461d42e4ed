import { loadLibc } from './libc';
import { siginfoIsExit, siginfoPid } from './ptrace/wait-status';
import type { SysCalls } from './types';
import { P_ALL, P_PID, WEXITED, WNOHANG, WNOWAIT } from './wait-flags';

const O_CLOEXEC = 0o2000000;
const PR_SET_CHILD_SUBREAPER = 36;

/** libc through koffi: works on glibc and musl, x86_64 and aarch64. */
export function koffiCalls(): SysCalls {
  const { koffi, lib } = loadLibc();
  const errno = lib.func('int *__errno_location(void)');
  const lastErrno = (): number => {
    try {
      return koffi.decode(errno(), 'int') as number;
    } catch {
      return 0;
    }
  };
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  const pipe2 = lib.func('int pipe2(_Out_ int *fds, int flags)');
  const waitid = lib.func('int waitid(int idtype, int id, void *infop, int options)');
  // siginfo_t is 128 bytes on x86_64 and aarch64 alike.
  const info = Buffer.alloc(128);
  const prctl = lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)');
  return {
    waitpid(pid, nohang) {
      const status = [0];
      const ret = waitpid(pid, status, nohang ? WNOHANG : 0) as number;
      if (ret <= 0) return ret === 0 ? { pid: 0, status: 0 } : undefined;
      return { pid: ret, status: status[0] };
    },
    peekExited(pid) {
      info.writeInt32LE(0, 16);
      if ((waitid(pid === undefined ? P_ALL : P_PID, pid ?? 0, info, WEXITED | WNOHANG | WNOWAIT) as number) !== 0) return 0;
      const found = siginfoPid(info);
      if (found !== 0 && !siginfoIsExit(info)) return pid === undefined ? -1 : 0;
      return found;
    },
    pipe() {
      const fds = [0, 0];
      if ((pipe2(fds, O_CLOEXEC) as number) !== 0) throw new Error(`pipe2 failed (errno ${lastErrno()})`);
      return [fds[0], fds[1]];
    },
    setChildSubreaper() {
      if ((prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) as number) !== 0) {
        throw new Error(`prctl(PR_SET_CHILD_SUBREAPER) failed (errno ${lastErrno()})`);
      }
    },
  };
}
