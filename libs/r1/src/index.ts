export { decodeCommand, encodeCommand, type R1Command } from './commands.ts';
export { decodeInfo1, decodeInfo2, encodeInfo1, encodeInfo2, type R1Info1, type R1Info2 } from './info.ts';
export {
  isLevel,
  type LevelRange,
  type R1Control,
  R1Ranges,
  R1ReplyBytes,
  R1Usb,
  R1UsbIds,
  type R1Variant,
  r1VariantOf,
} from './model.ts';
export { frameR2Command, r2Crc } from './r2.ts';
export { isR1StateCode, R1State, type R1StateCode, type R1StateName, r1StateName } from './state.ts';
export {
  decodeStatus1,
  decodeStatus2,
  encodeStatus1,
  encodeStatus2,
  isValidStatus1,
  type R1Status1,
  type R1Status2,
} from './status.ts';
export { nextStep, type R1Settings, type R1Targets } from './step.ts';
