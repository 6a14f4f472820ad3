/** Test support: PNG chunks as card editors write them (CRC-32 of type and data), for building card PNGs by hand. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export const crc32 = (bytes: Buffer): number => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** One chunk: length, type, data, CRC. `lengthField` lets a fuzzer write a length that lies. */
export const pngChunk = (type: string, data: Buffer, lengthField = data.length): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(lengthField >>> 0);
  head.write(type.padEnd(4, ' ').slice(0, 4), 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
};
