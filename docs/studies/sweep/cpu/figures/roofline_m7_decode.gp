set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-xl: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.53920975 1.47294767 1.60547183
0.97 1.5314924 1.4591796 1.6038052
1.97 2.42953887 2.39860782 2.46046992
EOD
$d1 << EOD
0.03 1.43749952 1.40126819 1.47373084
1.03 3.28689247 3.06650226 3.50728269
2.03 3.95139312 3.63005152 4.27273472
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
