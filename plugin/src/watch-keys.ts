// What a key does in `watch` on a terminal: pick a pending proposal, approve it, reject it with a reason,
// mark first crack, quit. Every action asks once more (y for approve and mark, Enter after the reason for
// reject), so a stray key never decides anything. Pure: the caller reads keys, acts and redraws.

export type Prompt =
  | { readonly kind: 'approve'; readonly proposal: string }
  | { readonly kind: 'reject'; readonly proposal: string; readonly reason: string }
  | { readonly kind: 'mark' };

export interface KeyState {
  /** The index of the selected proposal among those pending. */
  readonly selected: number;
  readonly prompt?: Prompt | undefined;
}

export type KeyAction =
  | { readonly kind: 'approve'; readonly proposal: string }
  | { readonly kind: 'reject'; readonly proposal: string; readonly reason: string }
  | { readonly kind: 'mark' }
  | { readonly kind: 'quit' };

export interface KeyResult {
  readonly state: KeyState;
  readonly action?: KeyAction;
  /** What to say on the status line. */
  readonly message?: string;
}

export const keyHelp = 'keys: a approve · r reject · f first crack · n next · q quit';

const ctrlC = '\u0003';
const enter = '\r';
const escapeKey = '\u001b';
const backspace = '\u007f';

/** The state after `key`, with `pending` the names of the proposals awaiting approval, oldest first. */
export function onKey(state: KeyState, key: string, pending: readonly string[]): KeyResult {
  if (key === ctrlC) return { state, action: { kind: 'quit' } };
  const selected = pending.length === 0 ? 0 : Math.min(state.selected, pending.length - 1);
  const prompt = state.prompt;
  if (prompt?.kind === 'reject') return typingReason(prompt, key, selected);
  if (prompt !== undefined) {
    const cleared = { selected };
    if (key.toLowerCase() !== 'y') return { state: cleared, message: 'Nothing was done.' };
    return { state: cleared, action: prompt };
  }
  const proposal = pending[selected];
  switch (key) {
    case 'q':
      return { state, action: { kind: 'quit' } };
    case 'n':
    case 'j':
    case '\t':
      return { state: { selected: pending.length === 0 ? 0 : (selected + 1) % pending.length } };
    case 'k':
      return {
        state: { selected: pending.length === 0 ? 0 : (selected + pending.length - 1) % pending.length },
      };
    case 'a':
    case 'r':
      if (proposal === undefined) return { state: { selected }, message: 'No proposal awaits approval.' };
      return {
        state: {
          selected,
          prompt: key === 'a' ? { kind: 'approve', proposal } : { kind: 'reject', proposal, reason: '' },
        },
      };
    case 'f':
      return { state: { selected, prompt: { kind: 'mark' } } };
    default:
      return { state: { selected } };
  }
}

function typingReason(prompt: Prompt & { kind: 'reject' }, key: string, selected: number): KeyResult {
  if (key === escapeKey) return { state: { selected }, message: 'Nothing was done.' };
  if (key === enter) {
    const reason = prompt.reason.trim();
    if (reason === '')
      return { state: { selected }, message: 'Nothing was done: a rejection needs a reason.' };
    return { state: { selected }, action: { ...prompt, reason } };
  }
  if (key === backspace)
    return { state: { selected, prompt: { ...prompt, reason: prompt.reason.slice(0, -1) } } };
  // Printable text only: a pasted escape sequence or control character is not part of a reason.
  const typed = key.replace(/[\p{Cc}]/gu, '');
  return { state: { selected, prompt: { ...prompt, reason: (prompt.reason + typed).slice(0, 512) } } };
}

/** The status line for a prompt: what is being asked. */
export function promptLine(prompt: Prompt, describe: (proposal: string) => string, session: string): string {
  switch (prompt.kind) {
    case 'approve':
      return `Approve ${describe(prompt.proposal)}? y/N`;
    case 'reject':
      return `Reject ${describe(prompt.proposal)} — reason, then Enter (Esc cancels): ${prompt.reason}`;
    case 'mark':
      return `Mark first crack on ${session}? y/N`;
  }
}
