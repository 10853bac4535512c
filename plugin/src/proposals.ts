// What a person types, as the CommandProposal the API takes: `heater 7`, `fan 9`, `drum 5`, `preheat`,
// `charge`, `drop`, `cool`; stops and resets have commands of their own. Pure and table-tested.
import {
  type Actuator,
  anyModelRange,
  apiVersion,
  type Command,
  type CommandProposalSpec,
  commandProposalNames,
  modelFacts,
  type Press,
  type RoasterModel,
  type SetCommand,
} from '@roast-operator/api';
import type { KubeObject } from '@roast-operator/kube';
import { wholeNumber } from './args.ts';
import { UsageError } from './refusal.ts';

const levels: Readonly<Record<string, { type: SetCommand; actuator: Actuator }>> = {
  heater: { type: 'SetHeater', actuator: 'heater' },
  fan: { type: 'SetFan', actuator: 'fan' },
  drum: { type: 'SetDrum', actuator: 'drum' },
};

const presses: Readonly<Record<string, Press>> = {
  preheat: 'Preheat',
  charge: 'Charge',
  drop: 'Drop',
  cool: 'Cool',
};

export const commandWords = [...Object.keys(levels), ...Object.keys(presses)];

/** The command `words` ask for on a roaster of `model` (a press is made from the state that model needs). */
export function commandFromWords(words: readonly string[], model: RoasterModel): Command {
  const [word = '', level, ...rest] = words;
  const set = levels[word.toLowerCase()];
  const press = presses[word.toLowerCase()];
  if (set) {
    if (level === undefined || rest.length > 0)
      throw new UsageError(`give one level after ${word}, e.g. kubectl roast propose ROASTER ${word} 5`);
    const { min, max } = modelFacts[model].ranges[set.actuator];
    return {
      type: set.type,
      target: wholeNumber(`the ${set.actuator} level on a ${model}`, level, min, max),
    };
  }
  if (press) {
    if (level !== undefined)
      throw new UsageError(`${word} takes no level: it presses the roaster's button once`);
    return { type: press, fromState: modelFacts[model].presses[press].from };
  }
  throw new UsageError(
    `${word || 'nothing'} is not a command: propose one of ${commandWords.join(', ')} (heater, fan and drum take a level; stop and reset have commands of their own)`,
  );
}

/** "SetHeater 7", "Charge from ReadyToCharge", "ResetLatch stop-1a2b". */
export function describeCommand(c: Command): string {
  if (c.target !== undefined) return `${c.type} ${c.target}`;
  if (c.fromState !== undefined) return `${c.type} from ${c.fromState}`;
  if (c.latchId !== undefined) return `${c.type} ${c.latchId}`;
  return c.type;
}

export interface ProposalRequest {
  namespace: string;
  roaster: string;
  command: Command;
  proposedBy: string;
  rationale?: string | undefined;
  session?: string | undefined;
  ttlSeconds?: number | undefined;
}

/** The CommandProposal to create; the API server names it after the roaster and command. */
export function proposalBody(r: ProposalRequest): KubeObject & { spec: CommandProposalSpec } {
  // generateName adds 5 characters; a name is at most 253.
  const prefix = `${r.roaster.slice(0, 200)}-${r.command.type.toLowerCase()}-`;
  return {
    apiVersion,
    kind: commandProposalNames.kind,
    metadata: { generateName: prefix, namespace: r.namespace },
    spec: {
      roasterRef: { name: r.roaster },
      command: r.command,
      proposedBy: r.proposedBy,
      ttlSeconds: r.ttlSeconds ?? 60,
      ...(r.rationale !== undefined && { rationale: r.rationale }),
      ...(r.session !== undefined && { sessionRef: { name: r.session } }),
    },
  };
}

/** The R1's range, for help text. */
export const levelHelp = (['heater', 'fan', 'drum'] as const)
  .map((a) => `${a} ${anyModelRange(a).min}-${anyModelRange(a).max}`)
  .join(', ');
