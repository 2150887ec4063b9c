import { createContext, useContext } from "react";

// The server renders each document with a fresh CSP nonce; browsers hide it from
// scripts afterwards, so on the client this is empty and nothing needs it.
const NonceContext = createContext<string>("");

export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
