export {
  type Figures,
  fan8From4Min,
  firstCrackC,
  medianSchedule,
  realismFigures,
  type ScheduleChange,
} from './calibration.ts';
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
