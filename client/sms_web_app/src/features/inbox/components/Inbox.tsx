import { type ReactNode, useEffect, useState } from 'react';

import type { AppConfig } from '../../../config/env';
import type { Sms } from '../../../types/api';
import { getInbox, type InboxPage } from '../api/get-inbox';

type InboxState =
  | { status: 'loading' }
  | { status: 'ready'; messages: Sms[]; nextPageToken?: string }
  | { status: 'error'; message: string };

function pageLoaded(previous: Sms[], page: InboxPage): InboxState {
  return { status: 'ready', messages: [...previous, ...page.messages], nextPageToken: page.next_page_token };
}

function loadFailed(error: unknown): InboxState {
  return { status: 'error', message: error instanceof Error ? error.message : String(error) };
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

interface InboxProps {
  config: AppConfig;
  userId: string;
  /** What to show under each message (the app passes the spam check). */
  renderExtra?: (sms: Sms) => ReactNode;
}

export function Inbox({ config, userId, renderExtra }: InboxProps) {
  const [state, setState] = useState<InboxState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);

  // The first page, again whenever Refresh is pressed; an answer for an earlier request (another
  // user, or before a refresh) is dropped.
  useEffect(() => {
    let current = true;
    getInbox(config, userId).then(
      (page) => {
        if (current) setState(pageLoaded([], page));
      },
      (error: unknown) => {
        if (current) setState(loadFailed(error));
      },
    );
    return () => {
      current = false;
    };
  }, [config, userId, generation]);

  const loadOlder = async (pageToken: string, previous: Sms[]) => {
    try {
      setState(pageLoaded(previous, await getInbox(config, userId, pageToken)));
    } catch (error) {
      setState(loadFailed(error));
    }
  };

  const refresh = () => {
    setState({ status: 'loading' });
    setGeneration((g) => g + 1);
  };

  const older =
    state.status === 'ready' && state.nextPageToken
      ? { token: state.nextPageToken, messages: state.messages }
      : undefined;

  return (
    <section className="inbox" aria-label={`Inbox of ${userId}`}>
      <div className="inbox-bar">
        <h2>Inbox of {userId}</h2>
        <button type="button" onClick={refresh}>
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
              {renderExtra?.(sms)}
            </li>
          ))}
        </ul>
      )}
      {older && (
        <button type="button" onClick={() => void loadOlder(older.token, older.messages)}>
          Older messages
        </button>
      )}
    </section>
  );
}
