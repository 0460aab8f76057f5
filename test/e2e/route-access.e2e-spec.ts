import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { OPERATIONAL_ROUTES } from '../../src/app.setup';
import { describeAccess } from '../../src/common/auth/access';
import { routeAccess } from '../../src/common/openapi/access';
import { TestApp, createTestApp } from '../utils/create-test-app';

/**
 * Who may call what, for every route of the running app, from the routes' one @Access declaration. The list
 * is a committed snapshot (`__snapshots__/route-access.e2e-spec.ts.snap`): a change of who may call a route
 * shows up in review as a change of that file.
 */
describe('route access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function routes(): { route: string; access: string; declared: boolean }[] {
    const scanner = new MetadataScanner();
    const out: { route: string; access: string; declared: boolean }[] = [];
    const wrappers = [...t.app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()]);
    for (const wrapper of wrappers) {
      const controller = wrapper.metatype as new (...args: unknown[]) => object;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, (...args: unknown[]) => unknown>)[name];
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (sub === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = [base, sub]
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/');
        const full = OPERATIONAL_ROUTES.includes(path) ? `/${path}` : `/v1/${path}`;
        const access = routeAccess(controller, handler);
        out.push({
          route: `${method} ${full}`,
          access: access.rule ? describeAccess(access.rule) + (access.rateLimited ? '; rate limited' : '') : 'UNDECLARED',
          declared: access.rule !== null,
        });
      }
    }
    return out.sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
  }

  it('every route declares who may call it', () => {
    expect(
      routes()
        .filter((r) => !r.declared)
        .map((r) => r.route),
    ).toEqual([]);
  });

  it('matches the reviewed list', () => {
    expect(
      routes()
        .map((r) => `${r.route.padEnd(56)} ${r.access}`)
        .join('\n'),
    ).toMatchSnapshot();
  });
});
