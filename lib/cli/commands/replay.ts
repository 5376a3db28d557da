import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { createAwsClients } from '../../aws/clients.js';
import { SqsCommandQueue } from '../../aws/sqs-command-queue.js';
import {
  auditKeyOf,
  deduplicationIdOf,
  messageGroupOf,
  SyncCommandSchema,
} from '../../domain/sync-command.js';
import {
  EARLIER_RECEIVES,
  type InboxJournal,
  JOURNAL_ID,
  JournaledCommandQueue,
  openJournal,
} from '../../local/inbox-journal.js';
import { openState, type SyncState } from '../../ops/sync-state.js';
import type { CommandQueue } from '../../ports/command-queue.js';
import type { ParkedItem } from '../../stores/dynamo-parking-store.js';
import { CliError, type CliIo, markLine, renderTable } from '../io.js';
import { type GlobalOptions, locateState } from '../locate-state.js';

/** Flags of `replay`. */
export interface ReplayOptions extends GlobalOptions {
  ids: string[];
  all?: boolean;
  dlq?: boolean;
}

function listParked(io: CliIo, parked: readonly ParkedItem[]): void {
  if (parked.length === 0) {
    io.out('No parked messages.\n');
    return;
  }
  io.out(
    renderTable(
      ['message', 'parked at', 'error', 'reason'],
      parked.map((p) => [p.messageId, p.parkedAt, p.errorName, p.reason.slice(0, 120)]),
    ),
  );
  io.out('\nFix the cause, then: spira-gitlab-sync replay <message…>  or  spira-gitlab-sync replay --all\n');
}

/** A local `npm start` with a config keeps an inbox journal (README "Local runtime: durability"). */
async function journalOf(state: SyncState): Promise<InboxJournal | undefined> {
  const { source, region, dynamoEndpoint, table } = state.location;
  if (source !== 'local' || !dynamoEndpoint) return undefined;
  const aws = createAwsClients({ AWS_REGION: region, AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint });
  return openJournal(aws.db, aws.dynamo, table);
}

/** Sends one parked message to the queue again, forgets it, and notes it in the item's history. */
async function replayParked(state: SyncState, queue: CommandQueue, item: ParkedItem): Promise<string> {
  const parsed = SyncCommandSchema.safeParse(JSON.parse(item.body));
  if (!parsed.success) return markLine('fail', `${item.messageId}: not a sync command, left parked`);
  const command = parsed.data;
  await queue.send(command, deduplicationIdOf(`replay:${item.messageId}:${Date.now()}`));
  await state.parking.remove(item.messageId);
  await state.audit.record(auditKeyOf(command), command.spiraProjectId, {
    at: new Date().toISOString(),
    kind: 'replay',
    action: 'replayed',
    detail: `parked message ${item.messageId} sent to the queue again (it had failed: ${item.reason})`,
    messageId: item.messageId,
  });
  return markLine('pass', `${item.messageId}: queued again (${command.kind}, ${auditKeyOf(command)})`);
}

/**
 * Moves every dead letter back to the queue (an SQS redrive), keeping each message's group. A local
 * journal entry goes with it: same entry, receive count started afresh, as a redrive does.
 */
async function redriveDeadLetters(state: SyncState, journal: InboxJournal | undefined): Promise<number> {
  const dlqUrl = await state.dlqUrl();
  let moved = 0;
  for (;;) {
    const { Messages = [] } = await state.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ['MessageGroupId'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return moved;
    for (const message of Messages) {
      const parsed = SyncCommandSchema.safeParse(JSON.parse(message.Body ?? 'null'));
      const group = parsed.success
        ? messageGroupOf(parsed.data)
        : (message.Attributes?.MessageGroupId ?? 'replay');
      await state.sqs.send(
        new SendMessageCommand({
          QueueUrl: state.location.queueUrl,
          MessageBody: message.Body ?? '',
          MessageGroupId: group,
          MessageDeduplicationId: deduplicationIdOf(`redrive:${message.MessageId}:${Date.now()}`),
          ...(message.MessageAttributes?.[JOURNAL_ID]
            ? { MessageAttributes: redriven(message.MessageAttributes) }
            : {}),
        }),
      );
      const entry = message.MessageAttributes?.[JOURNAL_ID]?.StringValue;
      if (journal && entry) await journal.setReceives(entry, 0);
      await state.sqs.send(
        new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      moved++;
    }
  }
}

/** A dead letter's attributes without its earlier receives (a redrive starts the count again). */
function redriven(
  attributes: NonNullable<Message['MessageAttributes']>,
): NonNullable<Message['MessageAttributes']> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => name !== EARLIER_RECEIVES));
}

/** `replay`: lists parked messages; with ids or `--all` queues them again; `--dlq` redrives dead letters. */
export async function replayCommand(options: ReplayOptions, io: CliIo): Promise<number> {
  const state = openState(await locateState(options, io));
  const parked = await state.parking.list();
  if (options.ids.length === 0 && !options.all && !options.dlq) {
    listParked(io, parked);
    const dead = await state.dlqUrl().then(state.depth, () => undefined);
    if (dead)
      io.out(`Dead-letter queue: ${dead.waiting + dead.inFlight + dead.delayed} message(s) (replay --dlq)\n`);
    return 0;
  }
  const unknown = options.ids.filter((id) => !parked.some((p) => p.messageId === id));
  if (unknown.length > 0) throw new CliError(`no parked message ${unknown.join(', ')} (list them: replay)`);
  const chosen = options.all ? parked : parked.filter((p) => options.ids.includes(p.messageId));
  let failed = false;
  const journal = await journalOf(state);
  const direct = new SqsCommandQueue(state.sqs, state.location.queueUrl);
  const queue = journal
    ? new JournaledCommandQueue(journal, state.sqs, state.location.queueUrl, direct)
    : direct;
  for (const item of chosen) {
    const line = await replayParked(state, queue, item);
    failed ||= line.startsWith('✗');
    io.out(line);
  }
  if (options.dlq)
    io.out(
      markLine('pass', `${await redriveDeadLetters(state, journal)} dead letter(s) moved back to the queue`),
    );
  return failed ? 1 : 0;
}
