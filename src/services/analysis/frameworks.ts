/**
 * Frameworks recognised from declared dependencies (not from imports: cheap and explainable).
 * One table per ecosystem: an exact package name or a prefix (ending in `*`) → a display name.
 */
import type { Dependency, Ecosystem } from '../../contracts/report.js';

const TABLE: Readonly<Partial<Record<Ecosystem, Readonly<Record<string, string>>>>> = {
  npm: {
    react: 'React',
    'react-native': 'React Native',
    next: 'Next.js',
    vue: 'Vue',
    nuxt: 'Nuxt',
    '@angular/core': 'Angular',
    svelte: 'Svelte',
    '@sveltejs/kit': 'SvelteKit',
    astro: 'Astro',
    gatsby: 'Gatsby',
    '@remix-run/react': 'Remix',
    express: 'Express',
    fastify: 'Fastify',
    koa: 'Koa',
    hono: 'Hono',
    '@nestjs/core': 'NestJS',
    electron: 'Electron',
    jest: 'Jest',
    vitest: 'Vitest',
    mocha: 'Mocha',
  },
  pypi: {
    django: 'Django',
    flask: 'Flask',
    fastapi: 'FastAPI',
    starlette: 'Starlette',
    tornado: 'Tornado',
    aiohttp: 'aiohttp',
    pyramid: 'Pyramid',
    streamlit: 'Streamlit',
    torch: 'PyTorch',
    tensorflow: 'TensorFlow',
    'scikit-learn': 'scikit-learn',
    pytest: 'pytest',
  },
  go: {
    'github.com/gin-gonic/gin': 'Gin',
    'github.com/labstack/echo*': 'Echo',
    'github.com/gofiber/fiber*': 'Fiber',
    'github.com/gorilla/mux': 'Gorilla Mux',
    'github.com/go-chi/chi*': 'chi',
    'google.golang.org/grpc': 'gRPC',
    'github.com/spf13/cobra': 'Cobra',
  },
  cargo: {
    'actix-web': 'Actix Web',
    axum: 'Axum',
    rocket: 'Rocket',
    warp: 'warp',
    tokio: 'Tokio',
    bevy: 'Bevy',
    tauri: 'Tauri',
    clap: 'clap',
  },
  maven: {
    'org.springframework.boot:*': 'Spring Boot',
    'io.quarkus:*': 'Quarkus',
    'io.micronaut:*': 'Micronaut',
    'io.ktor:*': 'Ktor',
    'junit:junit': 'JUnit',
    'org.junit.jupiter:*': 'JUnit',
  },
  rubygems: { rails: 'Rails', sinatra: 'Sinatra', hanami: 'Hanami', rspec: 'RSpec' },
  composer: {
    'laravel/framework': 'Laravel',
    'symfony/framework-bundle': 'Symfony',
    'slim/slim': 'Slim',
    'phpunit/phpunit': 'PHPUnit',
  },
  nuget: {
    'Microsoft.AspNetCore.*': 'ASP.NET Core',
    'Microsoft.EntityFrameworkCore*': 'Entity Framework Core',
    xunit: 'xUnit',
    NUnit: 'NUnit',
  },
};

function lookup(ecosystem: Ecosystem, name: string): string | undefined {
  // Gradle coordinates are Maven's.
  const table = TABLE[ecosystem === 'gradle' ? 'maven' : ecosystem];
  if (table === undefined) return undefined;
  const normalized = ecosystem === 'pypi' ? name.toLowerCase().replace(/[._]/g, '-') : name;
  if (Object.hasOwn(table, normalized)) return table[normalized];
  for (const [pattern, framework] of Object.entries(table)) {
    if (pattern.endsWith('*') && normalized.startsWith(pattern.slice(0, -1))) return framework;
  }
  return undefined;
}

export function detectFrameworks(
  dependencies: readonly Dependency[],
): { name: string; ecosystem: Ecosystem; manifest_path: string }[] {
  const seen = new Set<string>();
  const found: { name: string; ecosystem: Ecosystem; manifest_path: string }[] = [];
  for (const dep of dependencies) {
    const name = lookup(dep.ecosystem, dep.name);
    if (name === undefined) continue;
    const key = `${name}\0${dep.manifest_path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({ name, ecosystem: dep.ecosystem, manifest_path: dep.manifest_path });
  }
  const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return found.sort((a, b) => order(a.name, b.name) || order(a.manifest_path, b.manifest_path));
}
