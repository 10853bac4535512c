export {
  type Beans,
  type Controls,
  charge,
  drop,
  emptyDrum,
  type Readings,
  read,
  step,
  type ThermalState,
  weightLoss,
} from './model.ts';
export { bulletR1Params, type ThermalParams } from './params.ts';
