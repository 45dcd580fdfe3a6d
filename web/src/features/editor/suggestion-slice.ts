import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { SuggestionSource } from './autocomplete';

export interface SuggestionState {
  status: 'idle' | 'waiting' | 'shown';
  text: string;
  source: SuggestionSource | null;
  /** UTF-16 offset the suggestion belongs to. */
  offset: number;
}

export const initialSuggestionState: SuggestionState = { status: 'idle', text: '', source: null, offset: 0 };

export const suggestionSlice = createSlice({
  name: 'suggestion',
  initialState: initialSuggestionState,
  reducers: {
    suggestionRequested(state, action: PayloadAction<number>) {
      state.status = 'waiting';
      state.text = '';
      state.source = null;
      state.offset = action.payload;
    },
    suggestionShown(state, action: PayloadAction<{ text: string; source: SuggestionSource; offset: number }>) {
      state.status = 'shown';
      state.text = action.payload.text;
      state.source = action.payload.source;
      state.offset = action.payload.offset;
    },
    suggestionCleared() {
      return initialSuggestionState;
    },
  },
});

export const { suggestionRequested, suggestionShown, suggestionCleared } = suggestionSlice.actions;
