export {
  type Figures,
  fan8From4Min,
  firstCrackC,
  medianSchedule,
  medianScheduleToP5,
  realismFigures,
  type ScheduleChange,
  scheduleLevels,
} from './calibration.ts';
export {
  type Corrections,
  type FittedRoast,
  fitRoast,
  type LevelChange,
  levelsAt,
  noCorrections,
  predictBt,
  predictionStepS,
  quiet,
  type RoastSoFar,
} from './fit.ts';
export {
  type LayeredBeans,
  type LayeredParams,
  type LayeredState,
  layeredBeanC,
  layeredBulletR1Params,
  layeredCharge,
  layeredDrop,
  layeredEmptyDrum,
  layeredRead,
  layeredStep,
} from './layered.ts';
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
export { type Plant, type PlantModel, plant } from './plant.ts';
