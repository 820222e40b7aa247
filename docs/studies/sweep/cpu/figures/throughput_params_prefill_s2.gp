set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 32174.1593
827088 32523.2965
17867008 4996.73636
51475968 1033.15539
124439808 717.282681
354823168 183.47018
774030080 36.5187909
1557611200 26.7290602
EOD
$d1 << EOD
102714 371191.376
827088 296791.1
17867008 6259.91533
51475968 4196.17125
124439808 1406.07683
354823168 436.826141
774030080 180.300702
1557611200 53.0008263
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
