/**
 * Passwords in a NuGet.config `<packageSourceCredentials>` entry; the NuGet.org API key (oy2) is in
 * secrets-services.ts. All example values are fake.
 */
import type { DetectorSpec } from '../types.ts';
import { NOT_PLACEHOLDER } from './common.ts';

const r = String.raw;

export const NUGET_DETECTORS: DetectorSpec[] = [
  {
    id: 'nuget-config-password',
    description: 'Password of a NuGet.config package source (<add key="ClearTextPassword" value="…"/>)',
    tags: ['secret', 'package-registry', 'nuget'],
    // The attribute names the secret, not the key before `=`, so the key=value detectors miss it.
    pattern: r`<add\s{1,16}key=["'](?:ClearText)?Password["']\s{1,16}value=["'](${NOT_PLACEHOLDER}(?:(?<=")[^"\r\n]{1,200}(?=")|(?<=')[^'\r\n]{1,200}(?=')))`,
    flags: 'i',
    keywords: ['<add'],
    group: 1,
    examples: {
      positive: ['      <add key="ClearTextPassword" value="gKWWBmgEmg04EU!" />', "<add key='Password' value='xFp7uQwd5JvYG0bRyr'/>"],
      negative: ['<add key="Username" value="deployer" />', '<add key="ClearTextPassword" value="%NUGET_FEED_PASSWORD%" />', '<add key="ClearTextPassword" value="" />'],
    },
  },
];
