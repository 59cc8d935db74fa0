/**
 * Renders a component from a lazily loaded chunk: what the first screen does not need stays
 * out of the first download.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';

export function Lazy<P extends object>({
  load,
  props,
}: {
  load: () => Promise<ComponentType<P>>;
  props: P;
}) {
  const [Component, setComponent] = useState<ComponentType<P> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    load().then(
      (c) => live && setComponent(() => c),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (failed) {
    return (
      <p class="error" role="alert">
        {t('lazy.failed')}
      </p>
    );
  }
  if (Component === null) return <Loading />;
  return <Component {...props} />;
}

export function Loading() {
  return (
    <div class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>{t('loading')}</span>
    </div>
  );
}
