/**
 * The hash slot Redis Cluster assigns a key or a channel name: CRC16 (the XMODEM variant the
 * cluster specification names) of the name, or of its `{hash tag}` when it has a non-empty
 * one, modulo 16384.
 */
export function clusterSlot(name: string): number {
  let bytes = Buffer.from(name);
  const open = bytes.indexOf(0x7b); // '{'
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  return crc16(bytes) % 16384;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}
