"""The Qt screens: widgets, dialogs and item models over the services; the only package that imports Qt."""
