import type { LlmDeployError } from '../../config/index.js';
import { storageError } from '../errors.js';

/** What a failed Hub call was about. */
export interface HubCallFacts {
  readonly repo: string;
  readonly revision: string;
  readonly url: string;
  readonly tokenSent: boolean;
}

// The Hub names the failure in X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and explains it
// in X-Error-Message; an anonymous call to a private, gated or missing repo is a 401 (huggingface_hub utils/_http.py
// hf_raise_for_status: https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/utils/_http.py).
/** The error for a Hub answer that is not 2xx: the repo, what the Hub said, and what to do about it. */
export function hubHttpError(response: Response, facts: HubCallFacts): LlmDeployError {
  const code = response.headers.get('x-error-code') ?? undefined;
  const said = response.headers.get('x-error-message') ?? undefined;
  const given = `HTTP ${response.status}${code === undefined ? '' : ` ${code}`}${said === undefined ? '' : `: ${said}`}`;
  const page = `${new URL(facts.url).origin}/${facts.repo}`;
  const common = { file: facts.url, given, field: `hf://${facts.repo}@${facts.revision}` };
  if (code === 'RevisionNotFound' || code === 'EntryNotFound') {
    const what = code === 'RevisionNotFound' ? `revision ${JSON.stringify(facts.revision)}` : 'file';
    return storageError('STORAGE_NOT_FOUND', `the Hub repo ${facts.repo} has no such ${what}`, {
      ...common,
      httpStatus: 404,
      expected: `a branch, tag or commit of ${page} (hf://org/name@revision)`,
    });
  }
  if (response.status === 401 || response.status === 403 || code === 'GatedRepo' || code === 'RepoNotFound') {
    const todo = facts.tokenSent
      ? `HF_TOKEN was sent: check that its account can read ${page} (for a gated repo, accept its terms on that page)`
      : `HF_TOKEN is not set: private and gated repos need a token of an account with access (https://huggingface.co/settings/tokens)`;
    const summary =
      code === 'GatedRepo' ? `the Hub repo ${facts.repo} is gated` : `the Hub repo ${facts.repo} was not found, or is private or gated`;
    return storageError(response.status === 404 && facts.tokenSent ? 'STORAGE_NOT_FOUND' : 'STORAGE_ACCESS_DENIED', summary, {
      ...common,
      httpStatus: response.status === 404 ? 404 : 403,
      expected: todo,
    });
  }
  if (response.status === 404) {
    return storageError('STORAGE_NOT_FOUND', `the Hub has no ${facts.repo}`, {
      ...common,
      httpStatus: 404,
      expected: `an existing repo: ${page}`,
    });
  }
  return storageError('STORAGE_HUB_UNREACHABLE', `the Hub failed to answer for ${facts.repo}`, {
    ...common,
    httpStatus: 502,
    expected: 'a 2xx answer; retry later, or point HF_ENDPOINT at a reachable Hub or mirror',
  });
}

/** The error for a Hub that does not answer (DNS, refused, reset) or answers something that is not the Hub API. */
export function hubUnreachable(facts: {
  readonly endpoint: string;
  readonly repo: string;
  readonly url: string;
  readonly cause: unknown;
  readonly answered?: boolean;
}): LlmDeployError {
  const summary =
    facts.answered === true ? `${facts.endpoint} did not answer as the Hub API does` : `cannot reach the Hub at ${facts.endpoint}`;
  return storageError('STORAGE_HUB_UNREACHABLE', `${summary} (downloading ${facts.repo})`, {
    file: facts.url,
    httpStatus: 502,
    expected: 'network access to the Hub, or HF_ENDPOINT set to a reachable Hub or mirror',
    cause: facts.cause,
  });
}

/** A download body longer than the listing says the file is. */
export function hubOversized(facts: { readonly url: string; readonly given: number; readonly expected: number }): LlmDeployError {
  return storageError('STORAGE_DOWNLOAD_FAILED', 'the Hub sent more bytes than the listing gives for this file', {
    file: facts.url,
    given: `${facts.given} bytes`,
    expected: `${facts.expected} bytes`,
  });
}
