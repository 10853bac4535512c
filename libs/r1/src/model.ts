// Facts about the Bullet R1 hardware and its USB link, from aillio-bullet-protocol.md §1 and §2.1.
// Line tags (R1:Lx) point into Artisan's aillio_r1.py at the commit the reference names.

/** USB ids (§1.1, R1:L60-62). Both R1 revisions speak protocol 1; the R2 (0xA4CD) does not. */
export const R1UsbIds = {
  vendorId: 0x0483,
  productIds: {
    /** The original R1 ("V1"), bean probe plus IR drum sensor. */
    r1: 0x5741,
    /** Revision 3, the R1 V2 with the IBTS infrared bean sensor ("R1 IrBts" in Artisan's device table). */
    r1Ibts: 0xa27e,
  },
} as const;

export type R1Variant = keyof typeof R1UsbIds.productIds;

/** The R1 variant a USB device is, or undefined when its ids are not an R1's. */
export function r1VariantOf(vendorId: number, productId: number): R1Variant | undefined {
  if (vendorId !== R1UsbIds.vendorId) return undefined;
  if (productId === R1UsbIds.productIds.r1) return 'r1';
  if (productId === R1UsbIds.productIds.r1Ibts) return 'r1Ibts';
  return undefined;
}

/**
 * Interface, configuration and endpoints (§1.2, R1:L63-66). WebUSB addresses endpoints by number,
 * so the IN endpoint 0x81 is number 1 and the OUT endpoint 0x03 is number 3.
 */
export const R1Usb = {
  interfaceNumber: 1,
  configurationValue: 1,
  endpointOut: 3,
  endpointIn: 1,
  /** Artisan passes no timeout, so pyusb's default of 1000 ms applies to every transfer (§1.2). */
  transferTimeoutMs: 1000,
} as const;

/** Reply lengths in bytes (§1.2, R1:L190, L196, L350, L352). */
export const R1ReplyBytes = {
  info1: 32,
  info2: 36,
  /** Each of the two status requests answers one 64-byte block. */
  statusBlock: 64,
} as const;

/** An inclusive integer range of a control level. */
export type LevelRange = { readonly min: number; readonly max: number };

/**
 * Control ranges the R1 driver clamps to (§2.1, R1:L280-331). The heater is 0–9 on the R1; the R2's
 * 0–14 does not apply here.
 */
export const R1Ranges = {
  heater: { min: 0, max: 9 },
  fan: { min: 1, max: 12 },
  drum: { min: 1, max: 9 },
} as const satisfies Record<string, LevelRange>;

export type R1Control = keyof typeof R1Ranges;

/** Whether a value is a whole number within a control's range. */
export function isLevel(control: R1Control, value: number): boolean {
  const range = R1Ranges[control];
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}
