"""The media library: images and documents stored through the object-store port."""
