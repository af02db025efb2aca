'use client';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

const Now = createContext<number>(0);

/**
 * The time relative times are counted from ("5 min ago", uptimes). It starts at the
 * server's render time, so server and browser render the same text, then moves on
 * every 15 s in the browser (a clock, not a refetch).
 */
export function NowProvider({ serverNow, children }: { serverNow: number; children: ReactNode }) {
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return <Now.Provider value={now}>{children}</Now.Provider>;
}

export const useNow = () => useContext(Now);
