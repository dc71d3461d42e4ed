import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SCRATCH_SIZE,
  cmsgLen,
  cmsgSpace,
  layoutRecvScratch,
  packAbstractSockaddr,
  packIovec,
  packMsghdr,
  packRightsCmsg,
  parseRightsCmsg,
  unpackMsghdr,
} from '../../../../src/sys/ptrace/socket-layout';

describe('socket structs', () => {
  it('packs an abstract sockaddr_un without trailing NUL', () => {
    const { addr, len } = packAbstractSockaddr('abc');
    assert.equal(len, 6);
    assert.deepEqual([...addr], [1, 0, 0, 0x61, 0x62, 0x63]);
    assert.throws(() => packAbstractSockaddr('x'.repeat(120)), /too long/);
  });

  it('packs struct msghdr with the LP64 offsets', () => {
    const buf = packMsghdr({ name: 0x10n, nameLen: 6, iov: 0x20n, iovLen: 1, control: 0x30n, controlLen: 24, flags: 3 });
    assert.equal(buf.length, 56);
    assert.equal(buf.readBigUInt64LE(0), 0x10n);
    assert.equal(buf.readUInt32LE(8), 6);
    assert.equal(buf.readUInt32LE(12), 0, 'padding stays zero');
    assert.equal(buf.readBigUInt64LE(16), 0x20n);
    assert.equal(buf.readBigUInt64LE(24), 1n);
    assert.equal(buf.readBigUInt64LE(32), 0x30n);
    assert.equal(buf.readBigUInt64LE(40), 24n);
    assert.equal(buf.readInt32LE(48), 3);
    assert.deepEqual(unpackMsghdr(buf), { name: 0x10n, nameLen: 6, iov: 0x20n, iovLen: 1, control: 0x30n, controlLen: 24, flags: 3 });
  });

  it('packs struct iovec', () => {
    const buf = packIovec(0xabcdn, 7);
    assert.equal(buf.readBigUInt64LE(0), 0xabcdn);
    assert.equal(buf.readBigUInt64LE(8), 7n);
  });

  it('computes CMSG_LEN / CMSG_SPACE', () => {
    assert.equal(cmsgLen(4), 20);
    assert.equal(cmsgSpace(4), 24);
    assert.equal(cmsgSpace(8), 24);
    assert.equal(cmsgSpace(12), 32);
  });

  it('round-trips SCM_RIGHTS control messages', () => {
    const one = packRightsCmsg([5]);
    assert.equal(one.length, 24);
    assert.equal(one.readBigUInt64LE(0), 20n);
    assert.equal(one.readInt32LE(8), 1); // SOL_SOCKET
    assert.equal(one.readInt32LE(12), 1); // SCM_RIGHTS
    assert.deepEqual(parseRightsCmsg(one, one.length), [5]);
    const two = packRightsCmsg([7, 9]);
    assert.deepEqual(parseRightsCmsg(two, two.length), [7, 9]);
    assert.deepEqual(parseRightsCmsg(two, 0), [], 'controllen 0 (message truncated away)');
    const other = Buffer.from(two);
    other.writeInt32LE(2, 12); // SCM_CREDENTIALS
    assert.deepEqual(parseRightsCmsg(other, other.length), []);
  });

  it('lays out the tracee scratch area with pointers into itself', () => {
    const base = 0x7ffc0000n;
    const s = layoutRecvScratch(base, 'dinit-test', 2);
    assert.equal(s.bytes.length, SCRATCH_SIZE);
    assert.equal(s.sockaddr, base);
    assert.equal(s.sockaddrLen, 3 + 'dinit-test'.length);
    const m = unpackMsghdr(s.bytes.subarray(Number(s.msghdr - base)));
    assert.equal(m.control, s.control);
    assert.equal(m.controlLen, cmsgSpace(8));
    assert.equal(m.iovLen, 1);
    const iovOff = Number(m.iov - base);
    const iovBase = s.bytes.readBigUInt64LE(iovOff);
    assert.ok(iovBase >= base && iovBase < base + BigInt(SCRATCH_SIZE));
    assert.equal(s.bytes.readBigUInt64LE(iovOff + 8), 1n);
    assert.ok(s.controlOffset + s.controlLen <= SCRATCH_SIZE);
    assert.equal(s.bytes.toString('latin1', 3, 3 + 10), 'dinit-test');
  });
});
