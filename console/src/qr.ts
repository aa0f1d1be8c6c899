/** A QR code as one SVG path (one square per dark module), drawn with `uqr`'s encoder. */
import { encode } from 'uqr';

export function qrPath(value: string): { size: number; d: string } {
  const { data, size } = encode(value, { ecc: 'M', border: 2 });
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) d += `M${x} ${y}h1v1h-1z`;
  }));
  return { size, d };
}
