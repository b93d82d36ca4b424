"""What the offscreen platform says about features it lacks (raising, grabbing the keyboard), which tests ignore."""

OFFSCREEN_LIMITATIONS = (r"^This plugin does not support ",)
