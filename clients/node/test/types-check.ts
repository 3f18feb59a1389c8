// Compiled by `tsc --noEmit` (test.sh), never run: the declarations describe
// the API the way an application uses it.
import { Client, FileCursorStore, SubscriptionError, eventToJSON, structToJSON, type Event, type hookbridge } from '..';

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
