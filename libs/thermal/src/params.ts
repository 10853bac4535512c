// Parameters of the lumped model, roast-physics.md §4.2 unless a comment says otherwise. SI units
// (J, W, kg, s) with temperatures in °C. Conductances are for a 400 g batch and scale as §4.1 says.

export type ThermalParams = {
  /**
   * Room air drawn through the drum, and the temperature of charged beans. 25 °C is what the fast
   * channel reads just after charge in the public logs (§2.4) and reproduces the §4.3 fit.
   */
  readonly ambientC: number;
  /** Dry-solid specific heat `a + b·T`, J/kg·K (Schwartzberg, 1099 + 7.0·T). */
  readonly solidCp: { readonly a: number; readonly b: number };
  /** Contribution of bound water to the bean's specific heat per kg water/kg dry solid, J/kg·K. */
  readonly waterCp: number;
  /** Drying rate `kX·X²/dp²·exp(−EX/T)`, dp in mm, t in s. */
  readonly drying: { readonly k: number; readonly activationK: number; readonly beanDiameterMm: number };
  /** Heat to drive off 1 kg of bean water (latent heat plus desorption), J/kg. */
  readonly latentHeat: number;
  /** First-order exotherm `k·exp(−E/T)·(1 − ξ)` releasing `heat` J per kg dry solid at full extent. */
  readonly reaction: { readonly k: number; readonly activationK: number; readonly heat: number };
  /** Green moisture, kg water per kg dry solid, when a charge does not say. */
  readonly greenMoisture: number;
  /** Electric power at heater level 9, W, and the share of it that reaches the drum. */
  readonly heaterMaxW: number;
  readonly heaterEfficiency: number;
  /** Heat capacity of the drum and the metal heated with it, J/K. */
  readonly drumHeatCapacity: number;
  /** Drum-to-bean conductance for 400 g at drum speed 9, W/K. */
  readonly drumToBeans400g: number;
  /** Air-to-bean conductance for 400 g at fan 1, W/K. */
  readonly airToBeans400g: number;
  /** Drum-to-air conductance at fan 1, W/K. */
  readonly drumToAir: number;
  /** Drum-to-room loss through the shell, W/K. */
  readonly shellLoss: number;
  /** Exhaust mass flow `base + perStep·(fan − 1)`, kg/s (assumed: no Aillio data, §4.1). */
  readonly airflow: { readonly base: number; readonly perStep: number };
  /** Specific heat of air, J/kg·K. */
  readonly airCp: number;
  /** Time constant of the lagged, probe-like bean channel (sensor A), s. */
  readonly laggedTau: number;
  /**
   * Share of the drum's rise above room the lagged channel settles at in an empty drum, where it sees
   * hot air and metal: 159 °C at a 239 °C preheat in the public logs, its initial value in §4.1 item 6.
   */
  readonly laggedEmptyShare: number;
  /** Share of the drum the fast, IR-like bean channel sees besides the beans (sensor B). */
  readonly fastDrumShare: number;
  /** Mass share of dry solid lost as gases at full reaction extent (weight loss beyond water). */
  readonly organicLoss: number;
  /** Top heater and drum levels: power is `level/heater` of the maximum, drum contact grows with `level/drum`. */
  readonly topLevel: { readonly heater: number; readonly drum: number };
  /** Sensor noise, standard deviation of every channel, °C. */
  readonly noiseC: number;
  /** Readings are rounded to this many decimals, as the device reports 0.1 °C (§4.6). */
  readonly readingDecimals: number;
  /**
   * Occasional positive spikes on the fast channel, as an IR sensor shows when it sees a drum vane
   * (§2.2, §4.6): mean count per minute and the largest height, °C.
   */
  readonly spikes: { readonly perMinute: number; readonly maxC: number };
};

/** The Bullet R1 fit of roast-physics §4.2–4.3. */
export const bulletR1Params: ThermalParams = {
  ambientC: 25,
  solidCp: { a: 1099, b: 7.0 },
  waterCp: 5000,
  drying: { k: 4.32e9, activationK: 9889, beanDiameterMm: 6.5 },
  latentHeat: 2.4e6,
  // kr = 116 200 / 232 ≈ 500 s⁻¹ (§4.1 item 5).
  reaction: { k: 500, activationK: 5500, heat: 232e3 },
  greenMoisture: 0.11,
  heaterMaxW: 1550,
  heaterEfficiency: 0.85,
  drumHeatCapacity: 3400,
  drumToBeans400g: 3.65,
  airToBeans400g: 2.0,
  drumToAir: 4.0,
  shellLoss: 0.3,
  airflow: { base: 2.0e-3, perStep: 1.2e-3 },
  airCp: 1005,
  laggedTau: 57,
  laggedEmptyShare: (159 - 25) / (239 - 25),
  fastDrumShare: 0.096,
  organicLoss: 0.1,
  topLevel: { heater: 9, drum: 9 },
  noiseC: 0.2,
  readingDecimals: 1,
  spikes: { perMinute: 1, maxC: 5 },
};
