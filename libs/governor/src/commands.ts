import { type Command, type CommandType, Press, SetCommand } from '@roast-operator/api';

export function isSetCommand(type: CommandType): type is SetCommand {
  return (SetCommand.options as readonly string[]).includes(type);
}

/** Presses of the roaster's PRS button: each is valid in one state only. */
export function isPress(type: CommandType): type is Press {
  return (Press.options as readonly string[]).includes(type);
}

/** A command as a person names it: `SetHeater 6`, `Charge`. */
export function describeCommand(command: Command): string {
  return command.target === undefined ? command.type : `${command.type} ${command.target}`;
}
