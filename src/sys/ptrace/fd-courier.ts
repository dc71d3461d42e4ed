// Our end of the fd hand-over: a listening abstract unix socket the tracee connects to, and the
// SCM_RIGHTS message that carries our pipe write ends into it. Abstract names need no file the
// tracee must be allowed to open, so this works when it runs as any user. Anyone can see the name
// in /proc/net/unix and connect too; that is made useless: the pipes go only to the connection
// whose SO_PEERCRED pid is the tracee's, strangers are accepted and dropped, and nothing here
// waits (the socket is non-blocking, the tracee's is too, and a flood costs a fresh name).
import crypto from 'node:crypto';
import { EAGAIN, EINTR, SysError } from './errors';
import { check, libc } from './libc';
import {
  AF_UNIX,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_PEERCRED,
  SIZEOF_IOVEC,
  SIZEOF_MSGHDR,
  packAbstractSockaddr,
  packIovec,
  packMsghdr,
  packRightsCmsg,
} from './socket-layout';

const MSG_NOSIGNAL = 0x4000;
const BACKLOG = 64;
/** Strangers we drop before giving up on finding the tracee's connection (a flood). */
const MAX_ACCEPTS = 4 * BACKLOG;

export class FdCourier {
  private fd: number;

  private constructor(readonly name: string) {
    const c = libc();
    // Non-blocking: if the tracee's connect did not land we get EAGAIN instead of hanging PID 1.
    this.fd = check('socket', c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    try {
      const { addr, len } = packAbstractSockaddr(name);
      check('bind of the hand-over socket', c.bind(this.fd, addr, len));
      check('listen', c.listen(this.fd, BACKLOG));
    } catch (err) {
      c.close(this.fd);
      throw err;
    }
  }

  static open(): FdCourier {
    return new FdCourier(`dinit-ptrace-${process.pid}-${crypto.randomBytes(8).toString('hex')}`);
  }

  /**
   * Accept the connection `pid` made (already complete in the backlog) and queue `fds` on it.
   * The message stays in the tracee's receive queue after we close our side.
   */
  deliver(pid: number, fds: readonly number[]): void {
    const c = libc();
    for (let accepted = 0; ; accepted++) {
      if (accepted >= MAX_ACCEPTS) throw new Error(`hand-over socket flooded: ${accepted} connections from other processes`);
      const conn = c.accept4(this.fd, null, null, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (conn === -1) {
        const errno = c.errno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) throw new Error(`process ${pid} did not connect to the hand-over socket`);
        throw new SysError('accept4', errno);
      }
      try {
        // Anyone may connect to an abstract name: hand the pipes only to the process we drive.
        if (peerPid(conn) !== pid) continue;
        sendRights(conn, fds);
        return;
      } finally {
        c.close(conn);
      }
    }
  }

  close(): void {
    if (this.fd >= 0) libc().close(this.fd);
    this.fd = -1;
  }
}

function peerPid(fd: number): number {
  const cred = Buffer.alloc(12);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(12, 0);
  check('getsockopt(SO_PEERCRED)', libc().getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, len));
  return cred.readInt32LE(0);
}

function sendRights(fd: number, fds: readonly number[]): void {
  const c = libc();
  const control = packRightsCmsg(fds);
  const offIov = SIZEOF_MSGHDR;
  const offData = offIov + SIZEOF_IOVEC;
  const offControl = offData + 8;
  // msghdr holds pointers, so it and what it points to live in native memory that does not move.
  const block = c.alloc(offControl + control.length);
  try {
    const at = (off: number): bigint => block.address + BigInt(off);
    packMsghdr({ iov: at(offIov), iovLen: 1, control: at(offControl), controlLen: control.length }).copy(block.bytes, 0);
    packIovec(at(offData), 1).copy(block.bytes, offIov);
    block.bytes[offData] = 0x2a; // stream sockets need at least one byte to carry ancillary data
    control.copy(block.bytes, offControl);
    for (;;) {
      const n = Number(c.sendmsg(fd, block.address, MSG_NOSIGNAL));
      if (n === -1 && c.errno() === EINTR) continue;
      check('sendmsg(SCM_RIGHTS)', n);
      return;
    }
  } finally {
    block.free();
  }
}
