/** Notion integration tokens. All example values are fake. */
import type { DetectorSpec } from '../types.ts';
import { ASSIGN, GLUED } from './common.ts';

const r = String.raw;

export const NOTION_DETECTORS: DetectorSpec[] = [
  {
    id: 'notion-api-token',
    description: 'Notion integration token (ntn_)',
    tags: ['secret', 'saas', 'notion'],
    pattern: r`${GLUED}ntn_[0-9]{11}[A-Za-z0-9]{35}\b`,
    keywords: ['ntn_'],
    entropy: 3.5,
    examples: {
      positive: ['NOTION_TOKEN=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', 'notion = Client(auth="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")'],
      negative: ['NOTION_TOKEN=ntn_17974622054ACJu4538S5R4bYl', 'NOTION_TOKEN=ntn_ACJu4538S5R4bYlHQkTww4nVT7iCm8f7QvKmwCDwkZI6YZ'],
    },
  },
  {
    id: 'notion-legacy-token',
    description: 'Notion legacy integration token (secret_ + 43), next to a notion key name',
    tags: ['secret', 'saas', 'notion'],
    // `secret_` alone is a common word: only next to a key name that says notion.
    pattern: r`notion[A-Za-z0-9_.-]{0,30}${ASSIGN}(secret_[A-Za-z0-9]{43})\b`,
    flags: 'i',
    keywords: ['notion'],
    group: 1,
    entropy: 3.5,
    examples: {
      positive: ['NOTION_API_KEY=secret_Em98jgS7FXMXh7rmpVGutIROY2oUGUmcmot16Zni0sj', 'notion_token: "secret_q9XEjLdIDEoKRLLNy2tWrUBTwyohE4aVSbWFNtldlSy"'],
      negative: ['NOTION_API_KEY=secret_Em98jgS7FXMXh7rmpVGut', 'NOTION_DATABASE=secret_documents_and_meeting_notes_archive_2024'],
    },
  },
];
