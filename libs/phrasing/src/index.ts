export {
  type Fallback,
  type Phrased,
  type PhrasingCounts,
  type PhrasingOptions,
  type PhrasingRequest,
  RationalePhraser,
} from './phraser.ts';
export { acceptedPhrasing, type Prompt, phrasingPrompt } from './prompt.ts';
