package io.batchline.local;
class Placeholder {}
