/**
 * The admin chat: answers questions about the research from the governance data (latest
 * report, recent failures, versions). It has no shell and no tool that touches the host: the
 * only thing it can do is read the store and the reports, and (when configured) ask the LLM
 * with that data as context.
 */
export interface ChatAnswer {
  readonly answer: string;
  /** `llm` when the configured model wrote the answer, `offline` when it was composed from the data. */
  readonly source: 'llm' | 'offline';
  readonly model: string | null;
  /** generated_at of the report the answer drew on, if any. */
  readonly report_generated_at: string | null;
}

export interface ChatService {
  answer(question: string, signal?: AbortSignal): Promise<ChatAnswer>;
}

/** Questions longer than this are refused (the HTTP route and the CLI check it). */
export const MAX_QUESTION_CHARS = 2000;
