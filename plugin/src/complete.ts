// Shell completion through kubectl: kubectl (1.26+) asks an executable named kubectl_complete-roast on PATH
// for the candidates of the word being typed, passing the words before it and that word, and expects one
// candidate a line, then `:4` (Cobra's "no file completion"). What each position completes is pure; the
// names come from the API server with the user's own identity.
import { parseInvocation } from './args.ts';
import { markWords } from './commands/mark.ts';
import { commandWords } from './proposals.ts';

export type Target =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'proposals'; readonly awaitingApproval: boolean }
  | { readonly kind: 'roasters' }
  | { readonly kind: 'sessions' }
  | { readonly kind: 'none' };

/** What the next word of `command`, after `args`, is. */
export function completionTarget(commands: readonly string[], before: readonly string[]): Target {
  let invocation: ReturnType<typeof parseInvocation>;
  try {
    invocation = parseInvocation(before);
  } catch {
    return { kind: 'none' };
  }
  const { command, args } = invocation;
  if (command === undefined) return { kind: 'words', words: commands };
  const position = args.length;
  switch (command) {
    case 'approve':
    case 'reject':
      return position === 0 ? { kind: 'proposals', awaitingApproval: true } : { kind: 'none' };
    case 'get':
      return position === 0 ? { kind: 'proposals', awaitingApproval: false } : { kind: 'none' };
    case 'stop':
    case 'reset':
      return position === 0 ? { kind: 'roasters' } : { kind: 'none' };
    case 'propose':
      if (position === 0) return { kind: 'roasters' };
      return position === 1 ? { kind: 'words', words: commandWords } : { kind: 'none' };
    case 'mark':
      if (position === 0) return { kind: 'sessions' };
      return position === 1 ? { kind: 'words', words: Object.keys(markWords) } : { kind: 'none' };
    case 'export':
      return position === 0 ? { kind: 'sessions' } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

/** Cobra's ShellCompDirectiveNoFileComp: the shell offers no file names instead. */
export const noFileCompletion = ':4';
