import type { ReactElement } from 'react';
import { useNavigate } from 'react-router';
import { editPath, watchPath } from '@pairpad/shared';
import { useAppDispatch, useAppSelector } from './hooks';
import { HomePage } from '../features/rooms/home-page';
import { roomsApi } from '../features/rooms/rooms-api';
import { displayNameChanged } from '../features/rooms/session-slice';
import { saveDisplayName } from '../features/rooms/storage';

export function HomeRoute(): ReactElement {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const displayName = useAppSelector((s) => s.session.displayName);
  const remember = (name: string): void => {
    dispatch(displayNameChanged(name));
    saveDisplayName(name);
  };
  return (
    <HomePage
      displayName={displayName}
      onDisplayNameChange={(name) => dispatch(displayNameChanged(name))}
      api={roomsApi}
      onCreated={(room, name) => {
        remember(name);
        void navigate(editPath(room.roomId));
      }}
      onJoin={(link, name) => {
        remember(name);
        void navigate(link.kind === 'watch' ? watchPath(link.id) : editPath(link.id));
      }}
    />
  );
}
