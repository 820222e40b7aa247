set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 857361.581
827088 912347.26
17867008 395219.797
51475968 250521.995
124439808 145199.298
354823168 60869.3381
774030080 36453.1216
1557611200 22605.1473
EOD
$d1 << EOD
102714 175845.411
827088 153178.081
17867008 75132.5839
51475968 62461.5379
124439808 29026.5864
354823168 13058.8396
774030080 14304.0266
1557611200 10804.5961
EOD
$d2 << EOD
102714 50653.0411
827088 77192.9881
17867008 36041.4193
51475968 24951.7013
124439808 19902.8084
354823168 8097.80607
774030080 6899.84348
1557611200 5650.80363
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
