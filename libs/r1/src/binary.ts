// Fixed-offset binary fields shared by the status and info codecs. The R1 driver reads its structs in
// native order, which is little-endian on every platform Artisan ships for (aillio-bullet-protocol.md,
// "Notation"); the one big-endian field says so.

export type FieldType = 'f32' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32be';

export type Field = { readonly offset: number; readonly type: FieldType };

export type Layout = Readonly<Record<string, Field>>;

export type Fields<L extends Layout> = { [K in keyof L]: number };

/** Inclusive integer bounds of each integer type, so encoding never wraps silently. */
const integerBounds: Record<Exclude<FieldType, 'f32'>, readonly [number, number]> = {
  u8: [0, 0xff],
  i16: [-0x8000, 0x7fff],
  u16: [0, 0xffff],
  i32: [-0x80000000, 0x7fffffff],
  u32be: [0, 0xffffffff],
};

export function readFields<L extends Layout>(bytes: Uint8Array, layout: L): Fields<L> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = Object.entries(layout).map(([name, field]) => [name, readField(view, field)]);
  return Object.fromEntries(entries) as Fields<L>;
}

/** Writes every field of `values` into `bytes`. Throws a RangeError for an integer that does not fit. */
export function writeFields<L extends Layout>(bytes: Uint8Array, layout: L, values: Fields<L>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, field] of Object.entries(layout)) {
    writeField(view, field, name, values[name as keyof L]);
  }
}

/** Throws a RangeError unless `bytes` is exactly `length` long. */
export function expectLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
}

function readField(view: DataView, { offset, type }: Field): number {
  switch (type) {
    case 'f32':
      return view.getFloat32(offset, true);
    case 'u8':
      return view.getUint8(offset);
    case 'i16':
      return view.getInt16(offset, true);
    case 'u16':
      return view.getUint16(offset, true);
    case 'i32':
      return view.getInt32(offset, true);
    case 'u32be':
      return view.getUint32(offset, false);
  }
}

function writeField(view: DataView, { offset, type }: Field, name: string, value: number): void {
  if (type === 'f32') {
    view.setFloat32(offset, value, true);
    return;
  }
  const [min, max] = integerBounds[type];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} = ${value} does not fit ${type}`);
  }
  switch (type) {
    case 'u8':
      view.setUint8(offset, value);
      return;
    case 'i16':
      view.setInt16(offset, value, true);
      return;
    case 'u16':
      view.setUint16(offset, value, true);
      return;
    case 'i32':
      view.setInt32(offset, value, true);
      return;
    case 'u32be':
      view.setUint32(offset, value, false);
      return;
  }
}
