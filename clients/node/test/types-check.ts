// Compiled by `tsc --noEmit` (test.sh), never run: the declarations describe
// the API the way an application uses it.
import {
  Client,
  ConsumerError,
  FileCursorStore,
  SubscriptionError,
  eventToJSON,
  structToJSON,
  type ConsumerMessage,
  type Event,
  type hookbridge,
} from '..';

async function consume(signal: AbortSignal): Promise<string | null> {
  const client = new Client('localhost:50051', { token: 't', caFile: 'ca.pem', serverName: 'hookbridge.internal' });
  const info = await client.getServerInfo();
  const limit: string = info.max_response_bytes;
  void limit;
  const subscription = client.subscribe({
    types: ['comment.*'],
    cursorStore: new FileCursorStore('events.cursor'),
    earliest: true,
    signal,
    onGap: (gap) => console.error(`gap ${gap.first_sequence}..${gap.last_sequence}`),
  });
  subscription.on('reconnecting', (r) => console.error(r.delayMs, r.codeName, r.resumeAfter ?? ''));
  try {
    for await (const event of subscription) {
      const seq: string = event.sequence;
      void seq;
      if (event.payload === 'ckeditor' && event.ckeditor?.event === 'comment_added') {
        const added: hookbridge.ckeditor.v1.CommentAdded | null | undefined = event.ckeditor.comment_added;
        const content: string | undefined = added?.comment?.content;
        void content;
      }
      if (event.untyped) {
        const body = structToJSON(event.untyped);
        void body;
      }
      const provider: hookbridge.v1.Provider = event.provider;
      void provider;
      process.stdout.write(JSON.stringify(eventToJSON(event as Event)));
    }
  } catch (error) {
    if (error instanceof SubscriptionError) return error.resumeAfter ?? null;
    throw error;
  } finally {
    client.close();
  }
  return subscription.position;
}

void consume;

async function member(signal: AbortSignal): Promise<number> {
  const client = new Client('localhost:50051', { token: 't' });
  const consumer = client.consume('indexer', {
    memberId: 'pod-1',
    signal,
    onRejected: (rejected) => console.error(rejected.sequences.length, rejected.reason),
    onGap: (gap) => console.error(gap.first_sequence),
  });
  consumer.on('consuming', () => console.error('consuming'));
  try {
    for await (const message of consumer) {
      const handled: ConsumerMessage = message;
      const attempt: number = message.deliveryAttempt;
      const sequence: string = message.sequence;
      const type: string = message.event.type;
      void [handled, attempt, sequence, type];
      if (attempt > 3) {
        const queued: boolean = message.nack({ delayMs: 30000, reason: 'later' });
        void queued;
      } else {
        message.extend();
        message.ack();
      }
    }
    const confirmed: boolean = await consumer.flush(5000);
    void confirmed;
  } catch (error) {
    if (error instanceof ConsumerError) return error.code;
    throw error;
  } finally {
    await consumer.close();
    await client.close();
  }
  return consumer.confirmed;
}

void member;
