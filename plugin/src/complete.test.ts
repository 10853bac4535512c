import { describe, expect, it } from 'vitest';
import { markWords } from './commands/mark.ts';
import { completionTarget } from './complete.ts';
import { commandWords } from './proposals.ts';

const commands = ['approve', 'reject', 'stop'];

describe('completionTarget', () => {
  it.each([
    [[], { kind: 'words', words: commands }],
    [['-n', 'roastery'], { kind: 'words', words: commands }],
    [['approve'], { kind: 'proposals', awaitingApproval: true }],
    [['approve', '-n', 'roastery'], { kind: 'proposals', awaitingApproval: true }],
    [['approve', 'p1'], { kind: 'none' }],
    [['get'], { kind: 'proposals', awaitingApproval: false }],
    [['stop'], { kind: 'roasters' }],
    [['reset'], { kind: 'roasters' }],
    [['propose'], { kind: 'roasters' }],
    [['propose', 'bullet-1'], { kind: 'words', words: commandWords }],
    [['propose', 'bullet-1', 'heater'], { kind: 'none' }],
    [['mark'], { kind: 'sessions' }],
    [['mark', 'guji-1'], { kind: 'words', words: Object.keys(markWords) }],
    [['export'], { kind: 'sessions' }],
    [['summary'], { kind: 'none' }],
    [['get', '--no-such-flag'], { kind: 'none' }],
  ])('after %j completes %j', (before, target) => {
    expect(completionTarget(commands, before)).toEqual(target);
  });
});
