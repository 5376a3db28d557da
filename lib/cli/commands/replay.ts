import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SqsCommandQueue } from '../../aws/sqs-command-queue.js';
import {
  auditKeyOf,
  deduplicationIdOf,
  messageGroupOf,
  SyncCommandSchema,
} from '../../domain/sync-command.js';
import type { ParkedItem } from '../../stores/dynamo-parking-store.js';
import { CliError, type CliIo, markLine, renderTable } from '../io.js';
import { type GlobalOptions, locateState, openState, type SyncState } from '../sync-state.js';

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

/** Sends one parked message to the queue again, forgets it, and notes it in the item's history. */
async function replayParked(state: SyncState, item: ParkedItem): Promise<string> {
  const parsed = SyncCommandSchema.safeParse(JSON.parse(item.body));
  if (!parsed.success) return markLine('fail', `${item.messageId}: not a sync command, left parked`);
  const command = parsed.data;
  await new SqsCommandQueue(state.sqs, state.location.queueUrl).send(
    command,
    deduplicationIdOf(`replay:${item.messageId}:${Date.now()}`),
  );
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

/** Moves every dead letter back to the queue (an SQS redrive), keeping each message's group. */
async function redriveDeadLetters(state: SyncState): Promise<number> {
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
        }),
      );
      await state.sqs.send(
        new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      moved++;
    }
  }
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
  for (const item of chosen) {
    const line = await replayParked(state, item);
    failed ||= line.startsWith('✗');
    io.out(line);
  }
  if (options.dlq)
    io.out(markLine('pass', `${await redriveDeadLetters(state)} dead letter(s) moved back to the queue`));
  return failed ? 1 : 0;
}
