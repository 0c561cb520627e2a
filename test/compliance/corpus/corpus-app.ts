/** One app of the mistake corpus: a small CDK app, wrong or correct, built into a stack. */
import { App, Stack } from 'aws-cdk-lib';

/** The main account of the corpus apps. */
export const ACCOUNT = '111111111111';
/** A partner account. */
export const PARTNER = '222222222222';

export interface CorpusApp {
  /** The stack name, also the README row. */
  readonly name: string;
  /** The mistake (or "correct"), as the README shows it. */
  readonly mistake: string;
  /** Whether the app is meant to be correct (KmsChecks must find nothing). */
  readonly correct: boolean;
  /** Adds the app's resources to the stack. */
  readonly build: (stack: Stack) => void;
}

/** A stack of the corpus in the main account. */
export function corpusStack(app: App, name: string): Stack {
  return new Stack(app, name, { env: { account: ACCOUNT, region: 'eu-west-1' } });
}
