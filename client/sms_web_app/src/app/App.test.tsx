import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';

import { MESSAGES, MODELS, USER_DATA, testConfig } from '../testing/fixtures';
import { server } from '../testing/server';
import { App, ConfigProblem } from './App';

function inboxHandler() {
  return http.get(`${USER_DATA}/sms/fiona`, () =>
    HttpResponse.json({ user_id: 'fiona', messages: MESSAGES }),
  );
}

async function login(name = 'fiona') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Your name'), name);
  await user.click(screen.getByRole('button', { name: 'Open inbox' }));
  return user;
}

describe('App', () => {
  it('says which model and architecture it uses', () => {
    render(<App config={testConfig({ VITE_MODEL_VERSION: 'v2', VITE_ARCHITECTURE: 'II' })} />);
    expect(screen.getByTestId('model-info')).toHaveTextContent('Model v2 · architecture II');
  });

  it('logs in, shows the inbox and checks a message', async () => {
    server.use(
      inboxHandler(),
      http.post(`${MODELS}/model/v1/text_to_prediction`, () =>
        HttpResponse.json({
          prediction: { ham: 0.03, spam: 0.97 },
          top: { label: 'spam', value: 0.97 },
          from_cache: false,
        }),
      ),
    );
    render(<App config={testConfig()} />);
    const user = await login();
    const items = await screen.findAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByText('otto')).toBeInTheDocument();
    expect(within(items[1]).getByText(MESSAGES[1].sms_text)).toBeInTheDocument();

    await user.click(within(items[1]).getByRole('button', { name: 'Check for spam' }));
    expect(await within(items[1]).findByTestId('verdict')).toHaveTextContent('Spam · spam 97%');
    // The other message is still unchecked.
    expect(within(items[0]).getByRole('button', { name: 'Check for spam' })).toBeInTheDocument();
  });

  it('shows a friendly error when the model service is down, and can retry', async () => {
    let calls = 0;
    server.use(
      inboxHandler(),
      http.post(`${MODELS}/model/v1/text_to_prediction`, () => {
        calls += 1;
        return calls === 1
          ? HttpResponse.error()
          : HttpResponse.json({
              prediction: { ham: 0.9, spam: 0.1 },
              top: { label: 'ham', value: 0.9 },
              from_cache: true,
            });
      }),
    );
    render(<App config={testConfig()} />);
    const user = await login();
    const [first] = await screen.findAllByRole('listitem');
    await user.click(within(first).getByRole('button', { name: 'Check for spam' }));
    expect(await within(first).findByRole('alert')).toHaveTextContent(
      'The model-serving service cannot be reached. Is it running?',
    );
    await user.click(within(first).getByRole('button', { name: 'Retry' }));
    expect(await within(first).findByTestId('verdict')).toHaveTextContent('Ham · spam 10%');
  });

  it('shows a friendly error when the user-data service is down, then refreshes', async () => {
    let up = false;
    server.use(
      http.get(`${USER_DATA}/sms/fiona`, () =>
        up ? HttpResponse.json({ user_id: 'fiona', messages: MESSAGES }) : HttpResponse.error(),
      ),
    );
    render(<App config={testConfig()} />);
    const user = await login();
    expect(await screen.findByRole('alert')).toHaveTextContent('The user-data service cannot be reached');
    up = true;
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findAllByRole('listitem')).toHaveLength(2);
  });

  it('pages through older messages', async () => {
    server.use(
      http.get(`${USER_DATA}/sms/fiona`, ({ request }) => {
        const token = new URL(request.url).searchParams.get('page_token');
        return token === 'next'
          ? HttpResponse.json({ user_id: 'fiona', messages: [MESSAGES[1]] })
          : HttpResponse.json({ user_id: 'fiona', messages: [MESSAGES[0]], next_page_token: 'next' });
      }),
    );
    render(<App config={testConfig()} />);
    const user = await login();
    expect(await screen.findAllByRole('listitem')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Older messages' }));
    expect(await screen.findAllByRole('listitem')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Older messages' })).not.toBeInTheDocument();
  });

  it('refuses a name that is not a user id', async () => {
    render(<App config={testConfig()} />);
    await login('not a name!');
    expect(screen.getByText(/Use letters, digits/)).toBeInTheDocument();
  });

  it('an empty inbox says so', async () => {
    server.use(http.get(`${USER_DATA}/sms/nobody`, () => HttpResponse.json({ user_id: 'nobody', messages: [] })));
    render(<App config={testConfig()} />);
    await login('nobody');
    expect(await screen.findByText('No messages yet.')).toBeInTheDocument();
  });
});

describe('ConfigProblem', () => {
  it('lists what is wrong', () => {
    render(<ConfigProblem problems={['VITE_ARCHITECTURE must be I or II, got "X"']} />);
    expect(screen.getByRole('alert')).toHaveTextContent('VITE_ARCHITECTURE must be I or II');
  });
});
