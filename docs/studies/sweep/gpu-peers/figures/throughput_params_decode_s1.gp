set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 21707.8087
827088 17220.3561
17867008 8709.63841
51475968 5949.72127
124439808 3316.4061
354823168 1458.36937
774030080 803.759891
1557611200 472.858539
EOD
$d1 << EOD
102714 1440.70604
827088 1274.70768
17867008 618.414383
51475968 498.888352
124439808 315.27485
354823168 158.182732
774030080 79.0957244
1557611200 87.1372463
EOD
$d2 << EOD
102714 378.711098
827088 555.509888
17867008 198.782673
51475968 231.151903
124439808 165.921503
354823168 83.6780056
774030080 59.2756961
1557611200 42.7087509
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
