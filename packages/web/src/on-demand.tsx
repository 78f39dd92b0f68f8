import { Component, lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';

/** Code of the app that is a chunk of its own, loaded when first needed (or fetched ahead). */
export interface OnDemand<M> {
  /** The module, loaded once (again after a failure: the network may be back). */
  load(): Promise<M>;
  /** Fetches the module ahead, when the user is about to need it; failures are left to `load`. */
  prefetch(): void;
  /**
   * A component of the module: rendered at once when the module is already here, else through
   * `React.lazy` under a {@link LazyPage} (React then keeps the loading state on screen for at least 300 ms,
   * which fetching ahead avoids).
   */
  component<P extends object>(pick: (module: M) => ComponentType<P>): ComponentType<P>;
}

export function onDemand<M>(importModule: () => Promise<M>): OnDemand<M> {
  let loaded: M | undefined;
  let loading: Promise<M> | undefined;
  const load = () => {
    loading ??= importModule().then(
      (module) => (loaded = module),
      (e: unknown) => {
        loading = undefined;
        throw e;
      },
    );
    return loading;
  };
  return {
    load,
    prefetch: () => void load().catch(() => undefined),
    component<P extends object>(pick: (module: M) => ComponentType<P>) {
      const Lazy = lazy(() => load().then((module) => ({ default: pick(module) })));
      const OnDemandComponent = (props: P) => {
        // Chosen once per mount: switching from the lazy component to the loaded one would remount it.
        const [Ready] = useState(() => (loaded !== undefined ? pick(loaded) : undefined));
        return Ready !== undefined ? <Ready {...props} /> : <Lazy {...props} />;
      };
      return OnDemandComponent;
    },
  };
}

/** What a page loaded on demand shows while its code arrives (announced to screen readers). */
function PageLoading({ what }: { what: string }) {
  return (
    <main className="page-loading" aria-busy="true">
      <p role="status">Loading the {what}…</p>
    </main>
  );
}

/**
 * Where a page whose code is loaded on demand goes: a status while it loads, and a message with a way out
 * when it cannot be loaded (the network is down, or a new version replaced the files of this one).
 */
export function LazyPage({ what, children }: { what: string; children: ReactNode }) {
  return (
    <PageFailure what={what}>
      <Suspense fallback={<PageLoading what={what} />}>{children}</Suspense>
    </PageFailure>
  );
}

class PageFailure extends Component<{ what: string; children: ReactNode }, { error: unknown }> {
  override state = { error: undefined as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    const message = this.state.error instanceof Error ? this.state.error.message : String(this.state.error);
    return (
      <main className="empty-page">
        <p role="alert">
          The {this.props.what} could not be shown: {message}
        </p>
        <button onClick={() => window.location.reload()}>Reload the page</button>
      </main>
    );
  }
}
