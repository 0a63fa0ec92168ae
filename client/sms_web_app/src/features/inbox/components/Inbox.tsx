import { useCallback, useEffect, useState } from 'react';

import type { AppConfig } from '../../../config/env';
import { SpamCheck } from '../../spam-check/components/SpamCheck';
import { getInbox, type Sms } from '../api/get-inbox';

type InboxState =
  | { status: 'loading' }
  | { status: 'ready'; messages: Sms[]; nextPageToken?: string }
  | { status: 'error'; message: string };

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function Inbox({ config, userId }: { config: AppConfig; userId: string }) {
  const [state, setState] = useState<InboxState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  const load = useCallback(
    async (pageToken?: string, previous: Sms[] = []) => {
      try {
        const page = await getInbox(config, userId, pageToken);
        setState({
          status: 'ready',
          messages: [...previous, ...page.messages],
          nextPageToken: page.next_page_token,
        });
      } catch (error) {
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    },
    [config, userId],
  );

  useEffect(() => {
    setState({ status: 'loading' });
    void load();
  }, [load, generation]);

  return (
    <section className="inbox" aria-label={`Inbox of ${userId}`}>
      <div className="inbox-bar">
        <h2>Inbox of {userId}</h2>
        <button type="button" onClick={() => setGeneration((g) => g + 1)}>
          Refresh
        </button>
      </div>
      {state.status === 'loading' && <p role="status">Loading messages…</p>}
      {state.status === 'error' && (
        <p className="problem" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ready' && state.messages.length === 0 && <p>No messages yet.</p>}
      {state.status === 'ready' && state.messages.length > 0 && (
        <ul className="messages">
          {state.messages.map((sms) => (
            <li key={`${generation}-${sms.sms_id}`} className="message">
              <div className="meta">
                <span className="sender">{sms.sender_id}</span>
                <time dateTime={sms.date_sent}>{dateFormat.format(new Date(sms.date_sent))}</time>
              </div>
              <p className="text">{sms.sms_text}</p>
              <SpamCheck config={config} sms={sms} />
            </li>
          ))}
        </ul>
      )}
      {state.status === 'ready' && state.nextPageToken && (
        <button type="button" onClick={() => void load(state.nextPageToken, state.messages)}>
          Older messages
        </button>
      )}
    </section>
  );
}
