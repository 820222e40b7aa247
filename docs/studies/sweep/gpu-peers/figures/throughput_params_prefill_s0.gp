set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 50717.5715
827088 59862.2213
17867008 26339.5818
51475968 19249.1141
124439808 11687.2404
354823168 4863.44729
774030080 2828.48268
1557611200 1706.2534
EOD
$d1 << EOD
102714 9655.80607
827088 10211.2294
17867008 4695.9576
51475968 3546.32489
124439808 2840.7875
354823168 1470.99685
774030080 842.364074
1557611200 731.941163
EOD
$d2 << EOD
102714 4036.98979
827088 4362.24262
17867008 2130.99145
51475968 1736.17319
124439808 1225.86375
354823168 563.643566
774030080 410.897985
1557611200 224.231971
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0'
