/**
 * A typed client of ukiyo's API v3, as a frontend writes one.
 *
 * The types are generated from the API's OpenAPI document by openapi-typescript
 * (`npm run types`, into ukiyo-api.d.ts); openapi-fetch sends the requests. The file
 * type-checks with `tsc --strict` without a single cast: every field read below is one the
 * document promises, and a page's fields are reached by narrowing it on its `type`.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./ukiyo-api.js";

type Schemas = components["schemas"];

/** A page of any type, as the pages detail, `find` and the preview answer it. */
export type Page = Schemas["Page"];
/** An error of any operation (application/problem+json). */
export type Problem = Schemas["ProblemDetail"];

export function ukiyo(baseUrl: string) {
  return createClient<paths>({ baseUrl });
}

export type Client = ReturnType<typeof ukiyo>;

class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
  }
}

/** The page readers see at `readerPath` (a browser's `location.pathname` will do). */
export async function pageAt(client: Client, readerPath: string): Promise<Page> {
  const { data, error } = await client.GET("/api/v3/pages/find/", {
    params: { query: { html_path: readerPath } },
  });
  if (error) throw new ProblemError(error);
  return data;
}

/** An article in `locale`, else in the first `fallback` language that has it. */
export async function articleIn(client: Client, id: number, locale: string, fallback: string) {
  const { data, error } = await client.GET("/api/v3/articles/{article_id}/", {
    params: { path: { article_id: id }, query: { locale, fallback } },
  });
  if (error) throw new ProblemError(error);
  return data;
}

/** The article cards of one language, newest first. */
export async function cards(client: Client, locale: string, category?: string) {
  const { data, error } = await client.GET("/api/v3/articles/", {
    params: { query: category === undefined ? { locale } : { locale, category } },
  });
  if (error) throw new ProblemError(error);
  return data.items.map((card) => ({
    title: card.title,
    category: card.category?.name ?? null,
    authors: card.authors.map((author) => author.name),
    image: card.lead_image_thumbnail?.url ?? null,
    notice: card.fallback ? `Not yet in ${card.requested_locale ?? ""}: shown in ${card.locale}` : "",
  }));
}

type Section = Schemas["SectionBlock"];

/** The text of a section, block by block: each block narrowed on its own `type`. */
export function sectionText(section: Section): string[] {
  return section.value.content.map((block) => {
    switch (block.type) {
      case "paragraph":
        return block.value.text;
      case "list":
        return block.value.items.map((item) => item.text).join("\n");
      case "quote":
        return `${block.value.text} (${block.value.attribution})`;
      case "image":
        return block.value.decorative ? "" : block.value.alt_text;
      case "embed":
        return block.value.url;
      case "callout":
        return `${block.value.title}: ${block.value.text}`;
    }
  });
}

/** One line about any page: what only its type has is read once `type` has narrowed it. */
export function describe(page: Page): string {
  switch (page.type) {
    case "news.ArticlePage": {
      const authors = page.authors.map((author) => author.name).join(", ");
      const headings = page.body.map((section) => section.value.heading);
      const category = page.category === null ? "" : ` [${page.category.name}]`;
      const languages = Object.keys(page.alternates).join(" ");
      return `${page.title}${category} by ${authors} (${languages}): ${headings.join(" / ")}`;
    }
    case "home.StandardPage":
    case "home.ContactPage":
      return `${page.title}: ${page.summary}`;
    case "home.HomePage":
      return `${page.title}: ${page.tagline}`;
    case "news.ArticleIndexPage":
    case "wagtailcore.Page":
      return page.title;
  }
}
