"""MNIST exactly as TF1's tensorflow.examples.tutorials.mnist.input_data gives it.

read_data_sets(..., one_hot=True): the first 5,000 training images are the validation set, train is
the other 55,000, test the 10,000 test images; pixels become float32 times 1.0/255.0; labels one-hot.
DataSet.next_batch is TF1's code: a numpy permutation per epoch (np.random, seeded by the caller),
and a batch that crosses an epoch end is the rest of that epoch plus the start of the next.
"""
import gzip
import struct

import numpy

VALIDATION_SIZE = 5000


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">i", data[:4])[0]
    ndim = magic & 0xFF
    if magic >> 8 != 0x08:
        raise ValueError("%s: bad magic number %#010x" % (path, magic))
    dims = struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim])
    return numpy.frombuffer(data, dtype=numpy.uint8, offset=4 + 4 * ndim).reshape(dims)


def dense_to_one_hot(labels_dense, num_classes=10):
    num_labels = labels_dense.shape[0]
    index_offset = numpy.arange(num_labels) * num_classes
    labels_one_hot = numpy.zeros((num_labels, num_classes))
    labels_one_hot.flat[index_offset + labels_dense.ravel()] = 1
    return labels_one_hot


class DataSet(object):
    def __init__(self, images, labels):
        images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
        images = images.astype(numpy.float32)
        images = numpy.multiply(images, 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._num_examples = images.shape[0]
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self):
        return self._images

    @property
    def labels(self):
        return self._labels

    def next_batch(self, batch_size, shuffle=True):
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = numpy.arange(self._num_examples)
            numpy.random.shuffle(perm0)
            self._images = self.images[perm0]
            self._labels = self.labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest_num_examples = self._num_examples - start
            images_rest_part = self._images[start:self._num_examples]
            labels_rest_part = self._labels[start:self._num_examples]
            if shuffle:
                perm = numpy.arange(self._num_examples)
                numpy.random.shuffle(perm)
                self._images = self.images[perm]
                self._labels = self.labels[perm]
            start = 0
            self._index_in_epoch = batch_size - rest_num_examples
            end = self._index_in_epoch
            images_new_part = self._images[start:end]
            labels_new_part = self._labels[start:end]
            return (numpy.concatenate((images_rest_part, images_new_part), axis=0),
                    numpy.concatenate((labels_rest_part, labels_new_part), axis=0))
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


class Datasets(object):
    def __init__(self, train, validation, test):
        self.train = train
        self.validation = validation
        self.test = test


def read_data_sets(data_dir):
    """data_dir holds mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (rnnport's layout)."""
    train_images = read_idx(data_dir + "/mnist/train-images-idx3-ubyte.gz")
    train_labels = dense_to_one_hot(read_idx(data_dir + "/mnist/train-labels-idx1-ubyte.gz"))
    test_images = read_idx(data_dir + "/mnist/t10k-images-idx3-ubyte.gz")
    test_labels = dense_to_one_hot(read_idx(data_dir + "/mnist/t10k-labels-idx1-ubyte.gz"))
    validation = DataSet(train_images[:VALIDATION_SIZE], train_labels[:VALIDATION_SIZE])
    train = DataSet(train_images[VALIDATION_SIZE:], train_labels[VALIDATION_SIZE:])
    test = DataSet(test_images, test_labels)
    return Datasets(train, validation, test)
