import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ConfigError } from '../shared/config';

/** A message for the alarm topic: what the stream processor and the daily report send. */
export interface TopicMessage {
  /** Under 100 characters, one line (SNS and e-mail subjects). */
  subject: string;
  message: string;
}

const MAX_SUBJECT = 99;

/** `text` as a subject: one line, control characters as spaces, cut under 100 characters. */
export function topicSubject(text: string): string {
  const line = text.replace(/\p{Cc}+/gu, ' ').trim();
  return line.length > MAX_SUBJECT ? `${line.slice(0, MAX_SUBJECT - 1)}…` : line;
}

export type Publish = (message: TopicMessage) => Promise<void>;

/** Publishes to an SNS topic (subject and message as built, nothing added). */
export function snsPublish(topicArn: string, sns: SNSClient = new SNSClient({})): Publish {
  return async ({ subject, message }) => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
  };
}

/** dev | prd: ENVIRONMENT, else the suffix of RUNS_TABLE (pipeline-runs-<env>). */
export function environmentOf(config: { RUNS_TABLE: string; ENVIRONMENT?: string }): string {
  const environment = config.ENVIRONMENT ?? /^pipeline-runs-(.+)$/.exec(config.RUNS_TABLE)?.[1];
  if (!environment)
    throw new ConfigError(
      'Invalid configuration: ENVIRONMENT is required when RUNS_TABLE is not pipeline-runs-<env>',
    );
  return environment;
}
