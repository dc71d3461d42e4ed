// Byte layouts of the socket structs we hand to the kernel, either in our own memory (sendmsg)
// or written into the tracee (connect, recvmsg). Pure functions over Buffers so they can be
// unit-tested anywhere. Both supported arches are LP64 little-endian, so one layout serves both.

export const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SCM_RIGHTS = 1;
export const SO_PEERCRED = 17;
export const MSG_CMSG_CLOEXEC = 0x40000000;
export const MSG_DONTWAIT = 0x40;

export const SIZEOF_MSGHDR = 56;
export const SIZEOF_IOVEC = 16;
export const SIZEOF_CMSGHDR = 16;
export const SIZEOF_SOCKADDR_UN = 110;

const align8 = (n: number): number => (n + 7) & ~7;

/** CMSG_SPACE(len) on LP64. */
export function cmsgSpace(dataLen: number): number {
  return SIZEOF_CMSGHDR + align8(dataLen);
}

/** CMSG_LEN(len) on LP64. */
export function cmsgLen(dataLen: number): number {
  return SIZEOF_CMSGHDR + dataLen;
}

/**
 * sockaddr_un for an abstract name (leading NUL, no trailing NUL, length counts only the used
 * bytes). Abstract names need no filesystem access, so a tracee running as any user can connect.
 */
export function packAbstractSockaddr(name: string): { addr: Buffer; len: number } {
  const bytes = Buffer.from(name, 'utf8');
  const len = 2 + 1 + bytes.length;
  if (len > SIZEOF_SOCKADDR_UN) throw new Error(`abstract socket name too long: ${name}`);
  const addr = Buffer.alloc(len);
  addr.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(addr, 3);
  return { addr, len };
}

export interface MsghdrFields {
  name?: bigint;
  nameLen?: number;
  iov: bigint;
  iovLen: number;
  control: bigint;
  controlLen: number;
  flags?: number;
}

/** struct msghdr; the padding after msg_namelen and msg_flags stays zero (musl relies on that). */
export function packMsghdr(m: MsghdrFields): Buffer {
  const buf = Buffer.alloc(SIZEOF_MSGHDR);
  buf.writeBigUInt64LE(m.name ?? 0n, 0);
  buf.writeUInt32LE(m.nameLen ?? 0, 8);
  buf.writeBigUInt64LE(m.iov, 16);
  buf.writeBigUInt64LE(BigInt(m.iovLen), 24);
  buf.writeBigUInt64LE(m.control, 32);
  buf.writeBigUInt64LE(BigInt(m.controlLen), 40);
  buf.writeInt32LE(m.flags ?? 0, 48);
  return buf;
}

export function unpackMsghdr(buf: Buffer): Required<MsghdrFields> {
  return {
    name: buf.readBigUInt64LE(0),
    nameLen: buf.readUInt32LE(8),
    iov: buf.readBigUInt64LE(16),
    iovLen: Number(buf.readBigUInt64LE(24)),
    control: buf.readBigUInt64LE(32),
    controlLen: Number(buf.readBigUInt64LE(40)),
    flags: buf.readInt32LE(48),
  };
}

export function packIovec(base: bigint, len: number): Buffer {
  const buf = Buffer.alloc(SIZEOF_IOVEC);
  buf.writeBigUInt64LE(base, 0);
  buf.writeBigUInt64LE(BigInt(len), 8);
  return buf;
}

/** A control buffer carrying one SCM_RIGHTS message with `fds`. */
export function packRightsCmsg(fds: readonly number[]): Buffer {
  const dataLen = fds.length * 4;
  const buf = Buffer.alloc(cmsgSpace(dataLen));
  buf.writeBigUInt64LE(BigInt(cmsgLen(dataLen)), 0);
  buf.writeInt32LE(SOL_SOCKET, 8);
  buf.writeInt32LE(SCM_RIGHTS, 12);
  fds.forEach((fd, i) => buf.writeInt32LE(fd, SIZEOF_CMSGHDR + i * 4));
  return buf;
}

/** The fds of every SCM_RIGHTS message in a control buffer of `controlLen` used bytes. */
export function parseRightsCmsg(buf: Buffer, controlLen: number): number[] {
  const fds: number[] = [];
  let off = 0;
  const end = Math.min(controlLen, buf.length);
  while (off + SIZEOF_CMSGHDR <= end) {
    const len = Number(buf.readBigUInt64LE(off));
    if (len < SIZEOF_CMSGHDR || off + len > end) break;
    const level = buf.readInt32LE(off + 8);
    const type = buf.readInt32LE(off + 12);
    if (level === SOL_SOCKET && type === SCM_RIGHTS) {
      for (let p = off + SIZEOF_CMSGHDR; p + 4 <= off + len; p += 4) fds.push(buf.readInt32LE(p));
    }
    off += align8(len);
  }
  return fds;
}

/**
 * Where each struct goes inside the scratch area we borrow from the tracee's stack, and the bytes
 * to write there. One contiguous block so a single save/restore covers it.
 */
export interface RecvScratch {
  bytes: Buffer;
  sockaddr: bigint;
  sockaddrLen: number;
  msghdr: bigint;
  control: bigint;
  controlOffset: number;
  controlLen: number;
}

export const SCRATCH_SIZE = 256;

export function layoutRecvScratch(base: bigint, socketName: string, maxFds: number): RecvScratch {
  const { addr, len } = packAbstractSockaddr(socketName);
  const offSockaddr = 0;
  const offMsghdr = 112;
  const offIovec = offMsghdr + SIZEOF_MSGHDR; // 168
  const offData = offIovec + SIZEOF_IOVEC; // 184
  const offControl = offData + 8; // 192
  const controlLen = cmsgSpace(maxFds * 4);
  if (offControl + controlLen > SCRATCH_SIZE) throw new Error(`too many fds for the scratch area: ${maxFds}`);
  const bytes = Buffer.alloc(SCRATCH_SIZE);
  addr.copy(bytes, offSockaddr);
  packMsghdr({
    iov: base + BigInt(offIovec),
    iovLen: 1,
    control: base + BigInt(offControl),
    controlLen,
  }).copy(bytes, offMsghdr);
  packIovec(base + BigInt(offData), 1).copy(bytes, offIovec);
  return {
    bytes,
    sockaddr: base + BigInt(offSockaddr),
    sockaddrLen: len,
    msghdr: base + BigInt(offMsghdr),
    control: base + BigInt(offControl),
    controlOffset: offControl,
    controlLen,
  };
}
